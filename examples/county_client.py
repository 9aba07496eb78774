#!/usr/bin/env python3
"""Submit every table in a folder to jixiao, and print each table's findings in Chinese.

    python3 examples/county_client.py --url http://127.0.0.1:8080 --token "$TOKEN" --folder 表格/

- `*.json`: one evaluation each (the body of POST /api/v1/evaluations).
- `*.csv`:  a batch in the layout of the official tables (POST /api/v1/evaluations/batch,
  one row per indicator; see the README for the columns). Add `--dry-run` to check without
  writing.

Each file is sent with an `Idempotency-Key` derived from its content, so running the script
again is a safe replay: the service answers the first response and writes nothing twice.
Connection errors, 5xx and 429 are retried with backoff (honouring `Retry-After`), and so is
409 "the first request with this key is still running". Python 3 standard library only.

Exit code: 0 when every table was accepted, 1 when any was refused or failed (2 for bad
arguments). With `--strict`, tables that still have error findings (which block submission)
count as failed too.
"""

import argparse
import csv
import hashlib
import json
import pathlib
import random
import sys
import time
import urllib.error
import urllib.request
import uuid

# A fixed namespace: the same file content always gives the same key.
KEY_NAMESPACE = uuid.UUID("6f1c3a52-7d0e-4b8a-9c1e-2a4b6c8d0e1f")
RETRY_STATUSES = {409, 429, 500, 502, 503, 504}


def idempotency_key(kind, content):
    """The key of a file: a UUID (v5) of its kind and the SHA-256 of its bytes."""
    digest = hashlib.sha256(content).hexdigest()
    return str(uuid.uuid5(KEY_NAMESPACE, f"jixiao-county-client:{kind}:{digest}"))


def send(url, token, body, content_type, key, attempts, timeout):
    """POSTs with retries; returns (status, parsed JSON body or None)."""
    delay = 1.0
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method="POST")
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", content_type)
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", "zh-CN")
        request.add_header("Idempotency-Key", key)
        retry_after = None
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, read_json(response.read())
        except urllib.error.HTTPError as e:
            status, payload = e.code, read_json(e.read())
            if status not in RETRY_STATUSES or attempt == attempts:
                return status, payload
            retry_after = e.headers.get("Retry-After")
            reason = f"HTTP {status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError) as e:
            if attempt == attempts:
                return None, {"detail": f"无法连接服务：{getattr(e, 'reason', e)}"}
            reason = "连接失败"
        wait = delay + random.uniform(0, delay / 2)
        if retry_after is not None:
            try:
                wait = max(float(retry_after), 0.0)
            except ValueError:
                pass
        print(f"  {reason}，{wait:.1f} 秒后重试（第 {attempt} 次）", file=sys.stderr)
        time.sleep(wait)
        delay = min(delay * 2, 30.0)
    return None, None


def read_json(raw):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None


def print_findings(findings, indent="  "):
    """Prints findings as the service answers them (evaluation or batch item)."""
    if not findings:
        print(f"{indent}无问题")
        return
    for f in findings:
        severity = "错误" if f.get("severity") == "error" else "提示"
        message = f.get("message") or f.get("message_zh") or f.get("message_en", "")
        print(f"{indent}[{severity}] {f.get('pointer', '')} {message}（{f.get('code', '')}）")


def print_problem(payload, indent="  "):
    """Prints a problem document: its detail and every field problem."""
    if not isinstance(payload, dict):
        print(f"{indent}服务没有给出说明")
        return
    print(f"{indent}{payload.get('detail') or payload.get('title') or ''}")
    for e in payload.get("errors") or []:
        print(f"{indent}  {e.get('pointer', '')}：{e.get('detail', '')}（{e.get('code', '')}）")
    for item in payload.get("items") or []:
        report_item(item, indent + "  ")


def report_item(item, indent):
    label = item.get("ref") or f"第 {item.get('index', 0) + 1} 项"
    outcome = {
        "created": "已新建",
        "replaced": "已更新",
        "failed": "失败",
        "not_applied": "未写入",
    }.get(item.get("outcome"), item.get("outcome"))
    total = item.get("total")
    extra = f"，总分 {total}" if total is not None else ""
    print(f"{indent}{label}：{outcome}{extra}")
    if item.get("outcome") == "failed":
        print_problem(item.get("problem"), indent + "  ")
    else:
        print_findings(item.get("findings"), indent + "  ")


def submit_json(args, path, content):
    """One evaluation. Returns True when it was accepted (and, with --strict, has no errors)."""
    url = args.url.rstrip("/") + "/api/v1/evaluations"
    key = idempotency_key("evaluation", content)
    status, payload = send(url, args.token, content, "application/json", key, args.attempts, args.timeout)
    if status in (200, 201) and isinstance(payload, dict):
        computed = payload.get("computed") or {}
        findings = computed.get("findings") or []
        print(f"  已保存：{payload.get('id')}，总分 {computed.get('total')}，等级 {computed.get('grade_label_zh') or computed.get('grade')}")
        print_findings(findings)
        errors = sum(1 for f in findings if f.get("severity") == "error")
        return not (args.strict and errors)
    print(f"  被拒绝（HTTP {status}）")
    print_problem(payload)
    return False


def submit_csv(args, path, content):
    """One CSV batch. Returns True when every item was accepted."""
    query = "?atomic=false" + ("&dry_run=true" if args.dry_run else "")
    url = args.url.rstrip("/") + "/api/v1/evaluations/batch" + query
    key = idempotency_key("batch" + query, content)
    rows = sum(1 for _ in csv.reader(content.decode("utf-8-sig").splitlines())) - 1
    print(f"  {rows} 行")
    status, payload = send(url, args.token, content, "text/csv; charset=utf-8", key, args.attempts, args.timeout)
    if status in (200, 207) and isinstance(payload, dict):
        ok = True
        for item in payload.get("items") or []:
            report_item(item, "  ")
            if item.get("outcome") == "failed":
                ok = False
            elif args.strict and (item.get("error_findings") or 0) > 0:
                ok = False
        return ok
    print(f"  被拒绝（HTTP {status}）")
    print_problem(payload)
    return False


def main():
    parser = argparse.ArgumentParser(description="把文件夹中的每张自评表提交给 jixiao，并用中文列出问题")
    parser.add_argument("--url", required=True, help="服务地址，如 http://127.0.0.1:8080")
    parser.add_argument("--token", required=True, help="Bearer 令牌")
    parser.add_argument("--folder", required=True, type=pathlib.Path, help="存放 .json / .csv 表格的文件夹")
    parser.add_argument("--dry-run", action="store_true", help="CSV 批量只检查不写入")
    parser.add_argument("--strict", action="store_true", help="仍有错误类问题的表也算失败")
    parser.add_argument("--attempts", type=int, default=5, help="每个文件最多尝试次数（默认 5）")
    parser.add_argument("--timeout", type=float, default=60.0, help="每次请求的超时秒数")
    args = parser.parse_args()
    if not args.folder.is_dir():
        print(f"找不到文件夹：{args.folder}", file=sys.stderr)
        return 2
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in (".json", ".csv"))
    if not files:
        print(f"文件夹中没有 .json 或 .csv 表格：{args.folder}", file=sys.stderr)
        return 2
    failed = []
    for path in files:
        print(f"{path.name}：")
        content = path.read_bytes()
        submit = submit_json if path.suffix.lower() == ".json" else submit_csv
        if not submit(args, path, content):
            failed.append(path.name)
    print()
    print(f"共 {len(files)} 张表，成功 {len(files) - len(failed)} 张，失败 {len(failed)} 张")
    for name in failed:
        print(f"  失败：{name}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
