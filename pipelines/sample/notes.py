"""Recruiter-note and ATS phrasings the sample generator draws from.

Slots: ``{gap}`` years of experience the hire had over the candidate, ``{finding}`` a background
finding in words, ``{role}`` a job family. The hand-written evaluation set in ``data/eval`` does not
reuse these sentences: rules are measured on phrasings they were not built from.
"""

from __future__ import annotations

import polars as pl

NOTES: dict[str, list[str]] = {
    "competition": [
        "Went with another candidate who had {gap} more years of experience.",
        "went w/ other cand - more exp",
        "Strong interview but the finalist we hired had {gap} more years in {role}.",
        "Great background in logistics, but the finalist had {gap} more years.",
        "Another applicant was a better fit; hired someone with a master's degree.",
        "Selected a stronger candidate for the role.",
        "other candidate stronger, offer went to them",
        "Close call. Hiring manager picked the other finalist (more senior).",
        "Hired internal candidate with more experience",
        "2nd choice - top candidate accepted the offer",
        "We chose a candidate with more relevant exp ({gap} yrs more).",
        "Lost out to a more qualified applicant.",
        "beat out by candidate w/ {gap}+ yrs exp",
        "Competitve pool; filled by a canidate with deeper experience",
        "Background check came back clean; we still went with the stronger finalist.",
        "Position filled by a more experienced candidate.",
        "Runner-up. Offer extended to another candidate.",
        "Good interview, but another candidate had stronger qualifications.",
    ],
    "background_check": [
        "Offer rescinded after background check.",
        "bg chk - adverse, offer pulled",
        "Background screening flagged {finding}; moved to adverse action.",
        "Failed background check ({finding}).",
        "Rescinded offer: {finding} on the screening report",
        "BGC came back with {finding}, pre-adverse notice sent",
        "Could not clear background check",
        "Adverse action taken based on the consumer report.",
        "bckground check issue - {finding}",
        "Offer withdrawn pending adverse background result",
        "Screening report showed {finding}; candidate disputed it.",
        "Hiring stopped at background stage - report listed {finding}.",
    ],
    "goal_mismatch": [
        "Candidate wants rapid promotion; this role has limited upward mobility.",
        "Looking to move into management within a year, role is a individual contributor seat with no ladder.",
        "Career goals don't align with the role.",
        "Wants to stay in the same role long term; this is a rotational development program.",
        "goals misaligned - wants fast track, role is flat",
        "Candidate looking for growth we can't offer in this position.",
        "Not a fit for career path: seeks advancement, role has none.",
        "Prefers a stable role with no progression expectation; we need someone on a leadership track.",
        "Mismatch on career aspirations.",
        "Candidate wants promotion within 12 months; role stays at this level.",
        "ambitions outgrow the role - would leave quickly",
        "Background check came back clean; candidate wants a promotion within a year.",
    ],
    "other:requisition_cancelled": [
        "Requisition cancelled.",
        "Req closed - position eliminated",
        "Role was cancelled after interviews.",
        "Job req pulled by the business",
    ],
    "other:hiring_freeze": [
        "Hiring freeze announced; all open roles on hold.",
        "Budget cut - no headcount",
        "Headcount frozen this quarter.",
        "Position on hold due to budget.",
    ],
    "other:compensation": [
        "Salary expectations well above our band.",
        "Could not agree on comp.",
        "Candidate asked for pay far over range",
        "Compensation mismatch.",
    ],
    "other:relocation": [
        "Candidate unwilling to relocate.",
        "Won't move to the site location",
        "Relocation not possible for the candidate.",
    ],
    "other:visa": [
        "Requires visa sponsorship we can't provide.",
        "Work authorization issue - needs sponsorship",
        "No sponsorship available for this role.",
    ],
    "other:start_date": [
        "Start date too late for the team.",
        "Candidate not available until next year; we need someone now.",
        "Availability/start date didn't work.",
    ],
    "unknown": [
        "",
        "",
        "",
        "Rejected.",
        "n/a",
        "See ATS",
        "no notes",
        "Not moving forward.",
        "Thanks for your time.",
        "-",
    ],
}

# What the ATS dropdown said: often generic, sometimes right, occasionally another reason.
ATS_REASONS: dict[str, list[str]] = {
    "competition": ["Other candidate selected", "Not selected", "Position filled", ""],
    "background_check": ["Background check", "Did not pass screening", "Not selected", ""],
    "goal_mismatch": ["Not a fit", "Not selected", "Career goals", ""],
    "other:requisition_cancelled": ["Requisition cancelled", "Position closed", ""],
    "other:hiring_freeze": ["Hiring freeze", "Position closed", ""],
    "other:compensation": ["Compensation", "Not selected", ""],
    "other:relocation": ["Location", "Not selected", ""],
    "other:visa": ["Work authorization", ""],
    "other:start_date": ["Availability", "Not selected", ""],
    "unknown": ["Not selected", "", "", "Other"],
}

FINDING_WORDS = {
    "criminal_record": "a criminal record",
    "identity": "an identity mismatch",
    "employment_history": "an employment history discrepancy",
    "education": "an unverified degree",
    "credit": "credit issues",
    "driving": "a driving violation",
    "drug_test": "a failed drug test",
}

# Notes for people who were not in the cohort (rejected after a poor interview, withdrew, ...).
OTHER_NOTES = [
    "",
    "",
    "Weak technical answers in round 2.",
    "Not enough experience for the level.",
    "Candidate withdrew.",
    "Did not pass the screen.",
    "Rejected.",
    "Accepted another offer.",
    "Interviewed well, not selected.",
]


def lengthen_notes(applications: pl.DataFrame, notes: int, note_bytes: int) -> pl.DataFrame:
    """``applications`` with the recruiter notes of its first ``notes`` rows repeated to about
    ``note_bytes`` bytes each: notes of megabytes (a pasted thread), for memory tests and
    benchmarks."""
    note = pl.col("recruiter_note")
    repeat = pl.lit(note_bytes) // (note.str.len_bytes() + 1)
    long = (pl.int_range(pl.len()) < notes) & note.is_not_null()
    return applications.with_columns(
        pl.when(long).then((note + " ").repeat_by(repeat).list.join("")).otherwise(note)
    )
