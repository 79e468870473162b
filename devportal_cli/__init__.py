"""`devportal`, the command line: run the portal on this machine and operate it (here or in AWS).

One module per command under commands/; main.py assembles them. The local runtime itself lives in
devportal_local, the operations that work against AWS too (dead-letter queues) in devportal's
adapters; the commands only parse, call and report."""
