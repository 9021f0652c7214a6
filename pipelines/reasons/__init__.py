"""Reason assignment for post-interview rejections.

- ``rules``: the rules file, loaded once, and what the SQL needs from it;
- ``model``: the committed text model's tables;
- ``engine``: runs ``sql/reasons`` (and the rule audit) in dependency order.

Free of Dagster.
"""
