// Signs a Vitrine customer token: `<customer id>.<expiry>.<hex HMAC-SHA256(secret key, "<customer id>.<expiry>")>`.
// Usage: node sign-token.mjs CUSTOMER_ID  (the secret key in VITRINE_SECRET_KEY)
import { createHmac } from 'node:crypto';

export function customerToken(secretKey, customerId, ttlSeconds = 3600) {
  const message = `${customerId}.${Math.floor(Date.now() / 1000) + ttlSeconds}`;
  const mac = createHmac('sha256', secretKey).update(message).digest('hex');
  return `${message}.${mac}`;
}

console.log(customerToken(process.env.VITRINE_SECRET_KEY, process.argv[2]));
