"""Page text: file types, the PDF text layer, Tesseract OCR and the worker processes."""
