"""Map layers: frames in, folium objects out. Never imports streamlit."""
