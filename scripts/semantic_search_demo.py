"""Semantic search in a few lines: embeds a query and a handful of documents
through mbserve-cli (`embed --output json`), ranks the documents by cosine
similarity to the query and prints the ranking as a table. Used by
scripts/quickstart.sh.

  python semantic_search_demo.py --cli build/client/mbserve-cli --address 127.0.0.1:50051
"""
import argparse
import json
import math
import subprocess

QUERY = "How do I keep my houseplants alive?"
DOCUMENTS = [
    "Water succulents sparingly and give them plenty of bright, indirect light.",
    "The central bank raised interest rates by a quarter of a percentage point.",
    "Most indoor plants die from overwatering; let the soil dry out between waterings.",
    "The striker scored twice in the second half to win the cup final.",
    "A quick recipe for tomato soup with basil and garlic.",
    "Repot a plant when its roots start growing out of the drainage holes.",
]


def embed(cli, address, texts):
    """One Embed call for all texts; the server's default normalization."""
    output = subprocess.run([cli, "embed", "--address", address, "--output", "json", *texts],
                            check=True, capture_output=True, text=True).stdout
    return [embedding["values"] for embedding in json.loads(output)["embeddings"]]


def cosine(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cli", required=True, help="the mbserve-cli binary")
    parser.add_argument("--address", required=True)
    args = parser.parse_args()
    query, *documents = embed(args.cli, args.address, [QUERY, *DOCUMENTS])
    ranked = sorted(((cosine(query, d), text) for d, text in zip(documents, DOCUMENTS)),
                    reverse=True)
    print(f"query: {QUERY}")
    print(f"{'rank':>4}  {'cosine':>6}  document")
    for rank, (score, text) in enumerate(ranked, 1):
        print(f"{rank:>4}  {score:6.3f}  {text}")


if __name__ == "__main__":
    main()
