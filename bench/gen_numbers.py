"""Writes N distinct random E.164 numbers (NANP-shaped, +1 and 10 digits) as CSV: number,provider,metadata.
Random order, as numbers from many carrier blocks arrive; every row has a small metadata object."""
import random
import sys

n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261125)
providers = ["twilio", "bandwidth", "telnyx", "voxbone"]
numbers = rng.sample(range(2_000_000_000, 10_000_000_000), n)
with open(path, "w", newline="") as f:
    f.write("number,provider,metadata\n")
    for i, x in enumerate(numbers):
        f.write(f'+1{x},{providers[i % 4]},"{{""rate_center"":""RC{i % 500}""}}"\n')
