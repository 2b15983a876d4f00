"""Load benchmark: replay user sessions against the running app over Streamlit's websocket.

``client`` speaks Streamlit's protocol (BackMsg/ForwardMsg protobufs on ``/_stcore/stream``),
``scenario`` holds what the roles do, ``server`` starts the app and samples its CPU and
memory, ``report`` turns the step timings into tables; ``bench/bench_load.py`` runs it all.
"""
