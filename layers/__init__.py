"""Map layers: frames in, folium objects out. Never imports streamlit."""

from layers.kept import compile_templates_once

compile_templates_once()  # folium compiles a template per element drawn: once is enough
