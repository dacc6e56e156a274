"""JSON Schemas of pingan's file formats. Regenerate with `python -m optimizer.schema`."""
