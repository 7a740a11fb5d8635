"""python/sitedir.py PREFIX -- where `make install` puts the module fakt.

Prints the directory of this python's own path that lies under PREFIX
(PREFIX=/usr/local on Debian: /usr/local/lib/python3.X/dist-packages), so
that the installed module is found without PYTHONPATH; for any other PREFIX
the purelib directory of the posix_prefix scheme (PREFIX/lib/python3.X/
site-packages), which then needs PYTHONPATH.
"""
import os
import sys
import sysconfig

prefix = os.path.abspath(sys.argv[1])
for d in sys.path:
    d = os.path.abspath(d) if d else ""
    if d.startswith(os.path.join(prefix, "lib") + os.sep) and \
            os.path.basename(d) in ("site-packages", "dist-packages"):
        print(d)
        break
else:
    print(sysconfig.get_path("purelib", "posix_prefix", vars={"base": prefix, "platbase": prefix}))
