from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key, key)
