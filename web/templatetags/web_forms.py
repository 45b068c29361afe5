"""`{% field_input field %}`: a form field's widget with its help and error ids tied to it
(`aria-describedby`) and `aria-invalid` when it has errors, so a screen reader announces them."""

from django import template

register = template.Library()


@register.simple_tag
def field_input(field):
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_errors")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
