"""Stand-in dermoscopy images (plain numpy + Pillow, no Django).

- ``looks``: what each diagnosis tends to look like, and which classes it is mistaken for.
- ``render``: one 600x450 picture per HAM10000 metadata row.
- ``dataset``: a whole image set in the HAM10000 layout, drawn from a metadata file.
"""
