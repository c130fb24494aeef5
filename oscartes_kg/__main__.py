"""``python -m oscartes_kg`` runs the command line."""
from .cli import main

main()
