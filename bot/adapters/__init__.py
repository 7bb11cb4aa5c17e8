"""Adapters translate between a chat platform and the core: to_incoming() in, send() out."""
