#!/usr/bin/env python3
"""Independent oracle for the normalize fixture tests.

Computes the canonical transfer records (docs/architecture.md, schema transfer/1) that each
recorded explorer fixture here must normalize to, with Python's json, int and hashlib instead of
chainetl's code, and writes them to <fixture>.expected.ndjson. Run it from this folder after
changing the record format; the Swift tests compare byte for byte.
"""
import datetime
import hashlib
import json

FIXTURES = [
    # (file, source, chain_id, result key)
    ("etherscan.getlogs.two-logs-0x-quirk", "etherscan-logs", 1, "result"),
    ("blockscout.getlogs.same-query", "blockscout-logs", 1, "result"),
    ("etherscan.tokentx.eth-usdc", "etherscan-tokentx", 1, "result"),
    ("etherscan.tokentx.gnosis-spam-unicode", "etherscan-tokentx", 100, "result"),
    ("blockscout.tokentx.optimism", "blockscout-tokentx", 10, "result"),
    ("etherscan.tokentx.pcko1-2020", "etherscan-tokentx", 1, "res"),
]


def hex_int(text):
    return 0 if text == "0x" else int(text, 16)


def record(source, chain, row):
    if source.endswith("-logs"):
        topics = [t for t in row["topics"] if t is not None]
        assert len(topics) == 3 and len(row["data"]) == 66
        fields = dict(
            block=hex_int(row["blockNumber"]), time=hex_int(row["timeStamp"]), block_hash=row.get("blockHash"),
            tx=row["transactionHash"], log_index=hex_int(row["logIndex"]), token=row["address"],
            sender="0x" + topics[1][-40:], receiver="0x" + topics[2][-40:], value=int(row["data"], 16),
            symbol=None, name=None, decimals=None)
    else:
        fields = dict(
            block=int(row["blockNumber"]), time=int(row["timeStamp"]), block_hash=row.get("blockHash") or None,
            tx=row["hash"], log_index=None, token=row["contractAddress"], sender=row["from"], receiver=row["to"],
            value=int(row["value"]), symbol=row["tokenSymbol"] or None, name=row["tokenName"] or None,
            decimals=int(row["tokenDecimal"]) if row["tokenDecimal"] != "" else None)
    return {k: (v.lower() if isinstance(v, str) and v.startswith("0x") else v) for k, v in fields.items()}


def main():
    for name, source, chain, key in FIXTURES:
        rows = json.load(open(name + ".json", encoding="utf-8"))[key]
        seen = {}
        lines = []
        for row in rows:
            f = record(source, chain, row)
            identity = (chain, f["tx"], f["token"], f["sender"], f["receiver"], f["value"])
            occurrence = seen.get(identity, 0)
            seen[identity] = occurrence + 1
            text = "|".join(str(part) for part in identity + (occurrence,))
            out = {
                "transfer_id": hashlib.sha256(text.encode()).hexdigest()[:32],
                "chain_id": chain,
                "block_number": f["block"],
                "block_time": datetime.datetime.fromtimestamp(f["time"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "block_hash": f["block_hash"],
                "tx_hash": f["tx"],
                "log_index": f["log_index"],
                "occurrence": occurrence,
                "token_address": f["token"],
                "from_address": f["sender"],
                "to_address": f["receiver"],
                "value": str(f["value"]),
                "token_symbol": f["symbol"],
                "token_name": f["name"],
                "token_decimals": f["decimals"],
                "source": source,
            }
            lines.append(json.dumps(out, ensure_ascii=False, separators=(",", ":")))
        with open(name + ".expected.ndjson", "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
