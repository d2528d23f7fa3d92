"""Acknowledgement tokens of deliveries: only a hash is stored. Used by the sending job (which makes
them) and by the services (which find a delivery by one)."""

from __future__ import annotations

import hashlib
import secrets

from .models import Delivery

TOKEN_ALPHABET = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_ack_token(delivery: Delivery) -> str:
    """A fresh, unguessable acknowledgement token (256 bits); only its hash is stored."""
    token = secrets.token_urlsafe(32)
    delivery.token_hash = token_hash(token)
    return token
