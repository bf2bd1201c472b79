"""`jobledger init [PATH]`: write a starter ledger, never over an existing file."""

from __future__ import annotations

import argparse
import os
import sys

from jobledger.cli.common import OK, UsageError
from jobledger.files import write_atomic
from jobledger.ledger.model import DEFAULT_MILESTONES, DEFAULT_OUTCOMES, DEFAULT_STAGES

DEFAULT_NAME = "hunt.jobs"

HEADER = """\
; A jobledger ledger: one dated line for each thing that happened to an application.
; Check it with `jobledger check`, see what to do today with `jobledger todo`, and the
; funnel with `jobledger report`. The format: docs/format.md in the jobledger repository.

option title "Job hunt"
option ghost-after 30      ; silent this many days while waiting: counted as ghosted
option follow-up-after 7   ; silent this many days while waiting: time to follow up
option base-stage applied  ; the stage that counts as "applied" in the funnel
; option private "salary, contact"   ; metadata keys left out of every report

; The funnel, in order: KEY "state" "milestone". Rename, add or remove stages freely
; (at least two); the last one is success. Without any stage line these are the defaults.
"""

ROLES = """
; Roles: the kinds of job to compare. Tag an application #KEY to put it in one; an
; application without a role tag is in "Other". Rename these to your own.
role swe "Software Engineer"
role em  "Engineering Manager"
role pm  "Product Manager"
"""

EXAMPLES = """
; include "2025/*.jobs"          ; read more files here (relative to this one; globs work)

; Events: DATE KIND COMPANY | TITLE #TAGS ; COMMENT. KIND is a stage, an outcome or note.
; Indented key: value lines under an event are metadata (source: is compared in reports).
; Remove the "; " in front of these lines to try them, or start writing your own below.
;
; 2026-01-12 wishlist  Acme Corp | Staff Engineer          #swe #remote
;     url: https://acme.example/careers/42
; 2026-01-14 applied   Acme Corp | Staff Engineer
;     source: referral
; 2026-01-21 response  Acme Corp | Staff Engineer          ; recruiter asked for times
; 2026-01-26 phone     Acme Corp | Staff Engineer
; 2026-02-02 note      Acme Corp | Staff Engineer          ; sent the take-home
; 2026-02-09 rejected  Acme Corp | Staff Engineer
;     lesson: they wanted more Kubernetes
"""


def starter() -> str:
    """The starter ledger's text: the defaults of ledger/model.py written out as directives,
    in `fmt`'s layout (a `fmt --check` pre-commit hook passes on it)."""
    key_width = max(len(key) for key, _ in DEFAULT_STAGES)
    stages = "".join(
        f"stage {key:<{key_width}} {quoted(label)} {quoted(DEFAULT_MILESTONES[key])}\n"
        for key, label in DEFAULT_STAGES
    )
    outcome_width = max(len(key) for key, _ in DEFAULT_OUTCOMES)
    outcomes = "".join(
        f"outcome {key:<{outcome_width}} {quoted(label)}\n" for key, label in DEFAULT_OUTCOMES
    )
    ends = "\n; Outcomes end an application; after one only a note may follow.\n"
    return HEADER + stages + ends + outcomes + ROLES + EXAMPLES


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(args: argparse.Namespace) -> int:
    path = args.path
    if os.path.isdir(path):
        path = os.path.join(path, DEFAULT_NAME)
    if os.path.lexists(path):  # a dangling symbolic link too: never write through it
        raise UsageError(f"{path} already exists; not writing over it (pick another PATH)")
    write_atomic(path, starter())
    sys.stderr.write(f"wrote {path}\n")
    if not path.endswith(".jobs"):
        sys.stderr.write(
            "note: name it *.jobs so jobledger finds it without -f (and pre-commit checks it)\n"
        )
    return OK
