"""Reply -> platform text. Escaping and size limits live here."""
