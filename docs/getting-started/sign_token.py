"""Signs a Vitrine customer token: `<customer id>.<expiry>.<hex HMAC-SHA256(secret key, "<customer id>.<expiry>")>`.

Usage: python3 sign_token.py CUSTOMER_ID  (the secret key in VITRINE_SECRET_KEY)
"""
import hashlib
import hmac
import os
import sys
import time


def customer_token(secret_key: str, customer_id: str, ttl_seconds: int = 3600) -> str:
    message = f"{customer_id}.{int(time.time()) + ttl_seconds}"
    mac = hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{message}.{mac}"


if __name__ == "__main__":
    print(customer_token(os.environ["VITRINE_SECRET_KEY"], sys.argv[1]))
