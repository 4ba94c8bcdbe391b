"""Use cases: one function per thing a user asks govtool to do, returning its outcome.

Each takes plain values (the governance root, the time, who acts, the outside
services), does the whole job (the lock, the tracker change, the files, the
deliveries) through the modules below it, and returns a dataclass that the command
layer prints. Nothing here prints or reads the clock or the environment.
"""
