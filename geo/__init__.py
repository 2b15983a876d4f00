"""hexpatrol's computation and I/O core: no Streamlit, no folium."""

__all__ = ["__version__"]
__version__ = "0.1.0"
