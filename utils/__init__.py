"""Small shared modules for the rnn-notebooks collection: one concern per module (setup, data, ...)."""
