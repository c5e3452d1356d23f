"""The live application: the chain from sensors to the operators' display (``airpicture demo`` / ``run``)."""
