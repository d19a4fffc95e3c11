"""Settings: JIEFEN_* environment variables over an optional config file over defaults.

Every setting is a field here, so the README's table and this class can be compared.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "JIEFEN_"


@dataclass(frozen=True)
class Settings:
    # storage
    database_url: str = "sqlite+aiosqlite:///jiefen.db"
    state_url: str = "memory://"                      # or redis://host:port/db
    state_prefix: str = "jiefen:"
    # web
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""                             # how residents reach the web chat; defaults to http://host:port
    # conversation
    draft_ttl_minutes: float = 30.0                   # silence after which an unfinished report expires
    draft_resume_hours: float = 24.0                  # ...unless the answer to its question comes within this
    place_match_threshold: float = 80.0               # rapidfuzz score to accept a place without asking
    case_number_prefix: str = "JF"
    timezone: str = "Asia/Shanghai"
    dispatch_days: int = 1                            # promised to the resident: dispatched within N working days
    # duplicates
    duplicate_window_days: float = 7.0
    # nlp
    nlp_model_dir: str = ""                           # a learned label set (jiefen nlp train) instead of the built-in types
    # logging
    log_level: str = "INFO"
    # WeChat Official Account (off while token is empty)
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com"
    # WeChat Official Account: replies, pushes, dispute codes
    wechat_passive_timeout: float = 2.0               # seconds to wait for a passive reply; later ones go as customer-service messages
    wechat_subscribe_template: str = ""               # subscription-message template id for case updates (consent needed)
    wechat_subscribe_data: str = "character_string1=case,thing2=text"   # template field = case | text | status | time
    wechat_template_id: str = ""                      # template-message id (verified service accounts), the last resort
    wechat_template_data: str = "keyword1=case,keyword2=text"
    wechat_qr_days: int = 30                          # lifetime of a temporary dispute code (WeChat allows up to 30 days)
    poster_font: str = ""                             # a CJK font file for dispute-code posters; searched for when empty
    # WeCom app (off while corpid is empty)
    wecom_corpid: str = ""
    wecom_agentid: str = ""
    wecom_secret: str = ""
    wecom_token: str = ""
    wecom_aes_key: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com"
    # WeCom smart robot (智能机器人, API mode) in work groups (off while its token is empty)
    wecom_bot_token: str = ""
    wecom_bot_aes_key: str = ""
    wecom_bot_timeout: float = 3.0                    # seconds to answer a post in the callback itself
    # staff side: clocks in working days on the Chinese calendar (DOMAIN.md), reminders, limits
    start_mediation_days: int = 3                     # dispatched → mediating (接单) within N working days
    joint_meeting_days: int = 7                       # a complex (yellow/red) case gets a joint meeting (约谈)
    red_card_days: int = 15                           # no result N working days after assignment: red card
    red_response_hours: float = 2.0                   # a red case: dispatched and accepted within N hours, at any hour
    reminder_hours: float = 4.0                       # a reminder this long before each due time
    scheduler_interval: float = 60.0                  # seconds between two looks at the clocks
    digest_hour: int = 8                              # local hour of the work groups' daily digest
    wecom_per_minute: int = 30                        # WeCom drops app messages above these, silently
    wecom_per_hour: int = 1000
    robot_per_minute: int = 20                        # group robot webhook limit
    # the mediation record (issue 13): parties, agreements, judicial confirmation, follow-up visits
    invitation_days: float = 7.0                      # an invitation for the other party is good this long (and once)
    follow_up_days: int = 10                          # working days from the agreement to the follow-up visit (回访)
    performance_remind_days: int = 1                  # working days before the performance deadline: a reminder
    confirmation_days: int = 30                       # days to apply jointly for judicial confirmation (Art. 33)
    confirmation_remind_days: int = 5                 # days before that window ends: a reminder to the mediator
    confirmation_court: str = ""                      # the court applications go to when the mediator names none
    mediation_committee: str = ""                     # the committee on documents; empty: the case's village / town
    agreement_number_prefix: str = ""                 # 〔year〕seq号 comes after it; empty: the committee's place + 调
    document_link_hours: float = 24.0                 # a staff member's link to a case's documents works this long
    template_dir: str = ""                            # a county's own agreement.docx / application.docx
    document_font: str = ""                           # a CJK font for the PDFs; empty: the poster font or one found
    # generic group forwarding (another group platform or a 12345 hotline); off while empty
    group_forward_secret: str = ""
    # durability, bounds and floods
    max_text_chars: int = 2000                        # a longer message is answered "please split it" (kept, not read)
    reading_budget: float = 1.5                       # seconds the reading of one text may take (off the event loop)
    reading_processes: int = 2                        # reader processes per server process (0: a thread pool instead)
    rate_per_minute: int = 20                         # messages per person per minute handled at once
    rate_burst: int = 40                              # more in the same minute wait for the next ones; beyond: kept, answered "slow down"
    ip_rate_per_minute: int = 120                     # web chat posts per client address per minute (429 beyond)
    trusted_proxies: str = ""                         # reverse proxies whose X-Forwarded-For is believed ("10.0.0.5, 10.1.0.0/16")
    callback_max_skew: float = 300.0                  # seconds a signed callback's timestamp may be off; its nonce is remembered as long
    state_max_connections: int = 50                   # Redis connections per process (a bounded pool)
    inbox_interval: float = 2.0                       # seconds between two looks for messages whose request is gone
    inbox_lease: float = 60.0                         # seconds a handling may take before another worker takes the message over
    inbox_keep_days: float = 30.0                     # handled messages and silent conversations are forgotten after this
    # the staff console (/console)
    console_max_failures: int = 5                     # failed log-ins before an account is locked
    console_lockout_minutes: float = 15.0             # how long a locked account (or address) waits
    console_session_hours: float = 12.0               # a console session lasts this long

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, config_file: str | Path | None = None,
             **overrides: Any) -> "Settings":
        """Defaults < config file (TOML, `JIEFEN_CONFIG` or argument) < environment < overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        path = config_file or env.get(ENV_PREFIX + "CONFIG")
        if path:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
            values.update({k.lower(): v for k, v in data.get("jiefen", data).items()})
        for f in fields(cls):
            key = ENV_PREFIX + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
        return cls(**{f.name: _coerce(f, values[f.name]) for f in fields(cls) if f.name in values})

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    @property
    def web_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


def _coerce(f: dataclasses.Field[Any], value: Any) -> Any:
    kind = f.type if isinstance(f.type, type) else {"int": int, "float": float, "str": str, "bool": bool}[f.type]
    if kind is bool and isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    try:
        return kind(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"setting {f.name}: {value!r} is not a {kind.__name__}") from exc
