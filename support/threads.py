"""One BLAS thread for NumPy's matrix products, asked for when this module is imported.

Lesson 05's matrix products are small (16 x 784 times 784 x 100). Split across two threads, the
threads spend longer waiting for each other than multiplying, badly so when the other core is busy
(docs/performance.md gives the measured cost). OpenBLAS, MKL and OpenMP read their thread count
from the environment once, when NumPy loads them: so a script imports this module before NumPy,

    import support.threads  # one BLAS thread, asked for before NumPy loads

and a value the user has set wins.
"""
import os

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def ask_for_one_blas_thread():
    """Set each thread-count variable to 1, unless it is set already."""
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


ask_for_one_blas_thread()
