"""."""

import sys as _sys

# jsonschema (which nbformat validates notebooks with) checks "iri" formats with
# rfc3987_syntax when that is installed, and rfc3987_syntax compiles a grammar on import:
# over a second of CPU in every process that reads or writes a notebook, for a check that
# validating a notebook never makes. Publishing leaves it out (jsonschema then skips that
# one format); a process that imported it already keeps it.
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
