"""What --pdf-variant offers. Every document is tagged (structure tree, language, title, alt text):
PDF/UA-1 by default; PDF/A-3u is the archival form, tagged too, with the document's own data inside.
A module of its own so that the CLI names the choices without importing the renderer."""

PDF_UA = "pdf/ua-1"
PDF_A = "pdf/a-3u"
PDF_VARIANTS = (PDF_UA, PDF_A)
