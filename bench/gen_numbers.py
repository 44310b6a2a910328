"""Writes N distinct random numbers that libphonenumber holds valid, as CSV: number,provider,metadata. NANP numbers
(+1, area code, exchange 200-999, line) of 16 US area codes, 2 Canadian ones (CA) and 2 toll-free codes (TOLL_FREE), so
the country and number_type filters have something to find. Area code 971 is left out: the range benchmark imports its
own blocks there. Random order, as numbers from many carrier blocks arrive; every row has a small metadata object."""
import random
import sys

n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261125)
providers = ["twilio", "bandwidth", "telnyx", "voxbone"]
areas = [212, 646, 718, 917, 415, 312, 305, 213, 617, 202, 201, 206, 303, 404, 512, 702, 416, 604, 800, 888]
numbers = rng.sample(range(len(areas) * 800 * 10_000), n)
with open(path, "w", newline="") as f:
    f.write("number,provider,metadata\n")
    for i, x in enumerate(numbers):
        area, rest = divmod(x, 800 * 10_000)
        exchange, line = divmod(rest, 10_000)
        f.write(f'+1{areas[area]}{200 + exchange}{line:04d},{providers[i % 4]},"{{""rate_center"":""RC{i % 500}""}}"\n')
