<?php
// Signs a Vitrine customer token: `<customer id>.<expiry>.<hex HMAC-SHA256(secret key, "<customer id>.<expiry>")>`.
// Usage: php sign-token.php CUSTOMER_ID  (the secret key in VITRINE_SECRET_KEY)

function customer_token(string $secretKey, string $customerId, int $ttlSeconds = 3600): string
{
    $message = $customerId . '.' . (time() + $ttlSeconds);
    return $message . '.' . hash_hmac('sha256', $message, $secretKey);
}

echo customer_token(getenv('VITRINE_SECRET_KEY'), $argv[1]), "\n";
