"""Command handlers, one module per family. Each exposes COMMANDS."""
