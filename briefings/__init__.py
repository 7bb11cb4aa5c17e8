"""Briefings domain and storage: topics, key points, sources, admins and the audit trail.

Nothing in this package knows about chat platforms.
"""
