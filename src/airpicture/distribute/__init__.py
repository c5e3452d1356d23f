"""Distributed mode: the in-process bus's subjects and Arrow tables carried by NATS JetStream (docs/distributed.md)."""
