"""SQLAlchemy 2 models: people and their chat identities, dialogue state, ideas, offers, audit."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store UTC-aware datetimes only")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON, list[int]: JSON}


class Person(Base):
    """Someone who consented to take part; reachable through one or more identities."""

    __tablename__ = "person"
    # Who can be reached at all, read from the index alone: the audience of a call for everyone (SQLite).
    __table_args__ = (Index("ix_person_audience", "onboarded_at", "blocked_at", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    neighbourhood: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(32))
    interests: Mapped[list[str]] = mapped_column(default=list)
    contributions: Mapped[list[str]] = mapped_column(default=list)
    level: Mapped[str | None] = mapped_column(String(16))
    digest: Mapped[bool] = mapped_column(default=False)  # a weekly overview of open calls
    paused: Mapped[bool] = mapped_column(default=False)  # /pauze: no pushes at all
    paused_until: Mapped[datetime | None]  # the end of a pause for a week or a month (None: until they say)
    quiet_start: Mapped[int] = mapped_column(default=21 * 60)  # minutes after midnight, local time
    quiet_end: Mapped[int] = mapped_column(default=9 * 60)
    support_news: Mapped[bool] = mapped_column(default=True)  # an author hears, once a day, who backs their idea
    consent_at: Mapped[datetime]
    consent_version: Mapped[str] = mapped_column(String(32))
    onboarded_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]  # set by a coordinator: nothing they send is kept or forwarded
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(default=utcnow)

    identities: Mapped[list[Identity]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class Identity(Base):
    """One chat account (channel + the channel's own user id) belonging to a person."""

    __tablename__ = "identity"
    # Whether a person has a chat that takes messages, read from the index alone (every audience asks).
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_identity_reachable", "person_id", "reachable"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    reachable: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The buttons of the last message this chat got (bot.buttons), for a typed answer to name one.
    buttons: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)

    person: Mapped[Person] = relationship(back_populates="identities")


class Conversation(Base):
    """The dialogue a person is in: flow, step, answers so far; survives restarts."""

    __tablename__ = "conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), unique=True)
    flow: Mapped[str] = mapped_column(String(48))
    step: Mapped[str] = mapped_column(String(48))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Buttons carry this token; a tap with another token comes from an old message.
    token: Mapped[str] = mapped_column(String(16))
    # Where to return once a step is answered: "summary" while editing from the summary.
    mode: Mapped[str] = mapped_column(String(16), default="ask")
    version: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}


class Idea(Base):
    """An idea a resident shared: what they see, the idea, a first small try-out."""

    __tablename__ = "idea"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    problem: Mapped[str] = mapped_column(Text)
    idea: Mapped[str] = mapped_column(Text)
    prototype: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(32))
    place: Mapped[str] = mapped_column(String(32))
    will_help: Mapped[bool] = mapped_column(default=False)
    photo: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default="submitted")  # published, rejected
    moderated_by: Mapped[str | None] = mapped_column(String(64))  # the coordinator's name
    moderated_at: Mapped[datetime | None]
    moderation_note: Mapped[str | None] = mapped_column(Text)  # why it was not published
    show_author: Mapped[bool] = mapped_column(default=False)  # the author's name on its card: only with their yes
    # Supports and follows, counted as they come (browsing sorts by them among thousands).
    supporters: Mapped[int] = mapped_column(default=0, index=True)
    followers: Mapped[int] = mapped_column(default=0)
    supporters_told: Mapped[int] = mapped_column(default=0)  # what the author last heard, for the day's bundle
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Support(Base):
    """ "Ik steun dit": a person backs an idea (and so the project it became). Counted, never shown by name."""

    __tablename__ = "support"
    __table_args__ = (UniqueConstraint("idea_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Follow(Base):
    """ "Volgen": a person hears an idea's news, and once it is a project, the project's."""

    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("idea_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Offer(Base):
    """Time, expertise, or money/material/space a person offers, open until withdrawn."""

    __tablename__ = "offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="open")
    valid_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Call(Base):
    """A call for participation: what is needed, when and where, for how many, and for whom."""

    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[dict[str, Any]]  # per language; Dutch always present
    description: Mapped[dict[str, Any]]
    needs: Mapped[list[str]] = mapped_column(default=list)
    themes: Mapped[list[str]] = mapped_column(default=list)
    neighbourhood: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]  # None: no limit
    deadline: Mapped[datetime]
    publish_at: Mapped[datetime | None]
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    target_neighbourhoods: Mapped[list[str]] = mapped_column(default=list)
    target_contributions: Mapped[list[str]] = mapped_column(default=list)
    target_roles: Mapped[list[str]] = mapped_column(default=list)
    target_languages: Mapped[list[str]] = mapped_column(default=list)
    reminder_minutes: Mapped[list[int]] = mapped_column(default=lambda: [24 * 60, 120])  # before the start
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"))
    approved_by: Mapped[str | None] = mapped_column(String(64))  # the coordinator who let a partner's call go
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)  # read by those who had signed up
    # Announcing in batches: the last person id queued, and when everyone was.
    announced_to: Mapped[int] = mapped_column(default=0)
    announced_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SignUp(Base):
    """A person's answer to a call: joined, on the waitlist, offered a freed place, cancelled..."""

    __tablename__ = "sign_up"
    __table_args__ = (UniqueConstraint("call_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16))
    offer_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Feedback(Base):
    """How an event went, from someone who was there: the test step of trying things out."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("call_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    rating: Mapped[int]
    remark: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """One message the bot sends on its own initiative, to one person or a shared `room`, for one purpose.

    The unique `key` keeps it from being queued twice; the dispatcher sends it once
    `not_before` has passed and records how that went.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    room: Mapped[str | None] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    not_before: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str | None] = mapped_column(String(16))
    message_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class ProcessedEvent(Base):
    """An inbound event already handled (a Telegram update id...), so a redelivery is ignored."""

    __tablename__ = "processed_event"
    __table_args__ = (UniqueConstraint("channel", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AuditEvent(Base):
    """Something that must be accountable later: consent, export, erasure. No personal data."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Organisation(Base):
    """A partner organisation (a cultural house, a school, a city service...) with its members."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(Base):
    """An idea a partner organisation took up, moved through the Design Thinking phases:
    explore (talk to the people who live it), prototype, test, realised (or stopped)."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("idea.id", ondelete="SET NULL"), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(16), default="explore")
    adopted_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))  # the partner
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProjectMute(Base):
    """Someone who took part in a project's calls and asked to hear no more about it."""

    __tablename__ = "project_mute"
    __table_args__ = (UniqueConstraint("project_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    muted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Relay(Base):
    """A conversation, through the bot, between a resident and a partner organisation: about the
    resident's idea the organisation took up (`project_id`), or about an offer (`offer_id`).
    It starts as a question to the resident (`asked_at`); their yes opens it (`opened_at`);
    their no, or either side later, closes it (`closed_at`)."""

    __tablename__ = "relay"
    __table_args__ = (UniqueConstraint("project_id", "person_id"), UniqueConstraint("offer_id", "organisation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))  # the resident
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))  # who asked
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id", ondelete="CASCADE"))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class ProjectUpdate(Base):
    """One step of a project: the phase it moved to and what the organisation says about it."""

    __tablename__ = "project_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    phase: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class RoleGrant(Base):
    """A right held by one chat identity: coordinator, or partner (member of an organisation).

    Kept by identity, so a coordinator named at start holds the role before they ever wrote.
    """

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("channel", "external_id", "role", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Round(Base):
    """A question round ("bevraging"): a few questions to residents, why they are asked, for whom,
    from when until when, and once closed, what was done with the answers ("Wat we ermee doen")."""

    __tablename__ = "round"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    why: Mapped[str] = mapped_column(Text)  # why we ask, and what happens with the answers
    # 1 to 5 questions: {"kind": one|many|scale|open, "text": ..., "options": [...], "other": bool}
    questions: Mapped[list[Any]] = mapped_column(JSON)
    themes: Mapped[list[str]] = mapped_column(default=list)
    target_neighbourhoods: Mapped[list[str]] = mapped_column(default=list)
    target_roles: Mapped[list[str]] = mapped_column(default=list)
    target_languages: Mapped[list[str]] = mapped_column(default=list)
    target_contributions: Mapped[list[str]] = mapped_column(default=list)
    everyone: Mapped[bool] = mapped_column(default=False)  # False: only who chose to think along
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="SET NULL"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    approved_by: Mapped[str | None] = mapped_column(String(64))  # the coordinator who let a partner's round go
    publish_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    # Announcing in batches, as for calls: the last person id queued, and when everyone was.
    announced_to: Mapped[int] = mapped_column(default=0)
    announced_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]  # the last answer: the live card is redrawn after it
    drawn_at: Mapped[datetime | None]  # when the live card was last redrawn
    outcome: Mapped[str | None] = mapped_column(Text)  # what will be done with the answers
    outcome_at: Mapped[datetime | None]
    outcome_reminded_at: Mapped[datetime | None]
    # Telling every respondent the outcome, in batches: the last person id queued, and when all were.
    told_to: Mapped[int] = mapped_column(default=0)
    told_at: Mapped[datetime | None]
    picked: Mapped[list[int]] = mapped_column(default=list)  # open answers the owner chose to show publicly
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RoundResponse(Base):
    """One person's answers to a round. After /vergeet the answers to a closed round stay, without
    the person (`person_id` None) and without open texts; those to an open round are removed."""

    __tablename__ = "round_response"
    __table_args__ = (UniqueConstraint("round_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    # Kept with the response, so the counts per neighbourhood and role survive an erasure.
    neighbourhood: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(8), default="nl")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class RoundAnswer(Base):
    """One answer: a chosen option (one row per option for several choices), a point on the
    scale (`option` 1–5), "iets anders" (`option` -1 with its `text`), or an open `text`."""

    __tablename__ = "round_answer"
    __table_args__ = (
        UniqueConstraint("response_id", "question", "option"),
        Index("ix_round_answer_counts", "round_id", "question", "option"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("round_response.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    question: Mapped[int]
    option: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
