"""The shared vocabulary: records, the run folder, errors, exit codes, atomic writes, secrets, schemas.

Every layer imports it; it imports nothing of the project.
"""
