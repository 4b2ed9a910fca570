"""One module of exercise checks per notebook; utils/exercises.py imports them all."""
