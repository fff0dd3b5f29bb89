"""Server RSS after a burst of large requests, with and without returning
freed memory to the system (server/memory_release.h).

Starts the mbserve binary twice on the same model: once as built, and once
with malloc_trim replaced by a no-op through LD_PRELOAD (a two-line shared
object compiled here with cc), which is the server as it was before it
released memory. Each run: RSS when idle after warm-up, the peak during a
burst of concurrent Embed calls with long inputs, and RSS a few seconds
after the burst ends (the batcher releases memory once the engine has been
idle for 1 s).

  .venv/bin/python bench/memory_release.py --binary build/server/mbserve \
      --model DIR [--clients 8] [--calls 4] [--inputs 16] [--words 6000]
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))
import bench_record  # noqa: E402
import mbserve_process  # noqa: E402

NOOP_TRIM = "#include <stddef.h>\nint malloc_trim(size_t pad) { (void)pad; return 0; }\n"


def noop_trim_library(directory):
    source = os.path.join(directory, "noop_trim.c")
    library = os.path.join(directory, "noop_trim.so")
    with open(source, "w") as f:
        f.write(NOOP_TRIM)
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", library, source], check=True)
    return library


def burst(server, args):
    """Concurrent Embed calls, each with `inputs` texts of `words` words
    (truncated to the model's maximum input length); the peak RSS meanwhile."""
    from mbserve.v1 import common_pb2, embed_pb2, embed_pb2_grpc
    stub = embed_pb2_grpc.EmbedServiceStub(server.channel)
    text = " ".join(f"word{i % 97}" for i in range(args.words)).encode()
    request = embed_pb2.EmbedRequest(
        inputs=[embed_pb2.EmbedInput(text=text + str(i).encode()) for i in range(args.inputs)],
        truncation=common_pb2.Truncation(enabled=True))
    peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], bench_record.rss_mib(server.process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()

    def client(_):
        for _ in range(args.calls):
            stub.Embed(request, timeout=600)

    with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(client, range(args.clients)))
    done.set()
    sampler.join()
    return peak[0]


def measure(args, env_preload, label):
    env = dict(os.environ)
    if env_preload:
        env["LD_PRELOAD"] = env_preload
    old = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)  # MbserveProcess passes the environment on
    try:
        server = mbserve_process.MbserveProcess(args.binary, args.model,
                                                f"--num-threads={args.threads}")
    finally:
        os.environ.clear()
        os.environ.update(old)
    try:
        time.sleep(args.settle)
        idle = bench_record.rss_mib(server.process.pid)
        peak = burst(server, args)
        samples = []
        for _ in range(int(args.settle / 0.5)):
            time.sleep(0.5)
            samples.append(bench_record.rss_mib(server.process.pid))
        after = samples[-1]
        print(f"{label}: idle {idle:.1f} MiB, burst peak {peak:.1f} MiB, "
              f"{args.settle:.0f} s after the burst {after:.1f} MiB "
              f"(every 0.5 s: {' '.join(f'{s:.0f}' for s in samples)})", flush=True)
        return idle, peak, after
    finally:
        server.terminate()
        server.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--calls", type=int, default=4, help="Embed calls per client")
    parser.add_argument("--inputs", type=int, default=16, help="inputs per call")
    parser.add_argument("--words", type=int, default=6000, help="words per input")
    parser.add_argument("--threads", type=int, default=2, help="--num-threads of the server")
    parser.add_argument("--settle", type=float, default=4.0,
                        help="seconds waited before the idle and after-burst readings")
    args = parser.parse_args()
    mbserve_process.generate_stubs()
    print(f"burst: {args.clients} clients x {args.calls} Embed calls x {args.inputs} inputs "
          f"of {args.words} words (truncated to the model's maximum input length)", flush=True)
    with tempfile.TemporaryDirectory() as directory:
        without = measure(args, noop_trim_library(directory), "without release (malloc_trim no-op)")
    with_release = measure(args, None, "with release (as built)")
    print(f"RSS kept after the burst, above idle: without release "
          f"{without[2] - without[0]:.1f} MiB, with release {with_release[2] - with_release[0]:.1f} MiB")


if __name__ == "__main__":
    main()
