"""Repositories: the queries the handlers need, one small class per aggregate."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, literal_column, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.expression import ColumnClause

from storage.db import dialect_name
from storage.models import (
    AuditEvent,
    Base,
    Call,
    Conversation,
    Feedback,
    Idea,
    Identity,
    Offer,
    Organisation,
    OutboxMessage,
    Person,
    ProcessedEvent,
    Project,
    ProjectMute,
    ProjectUpdate,
    Relay,
    RoleGrant,
    SignUp,
)

Model = TypeVar("Model", bound=Base)


async def referenced(session: AsyncSession, model: type[Model], row_id: int) -> Model:
    """The row a foreign key that cannot be empty names: the database keeps it there."""
    row = await session.get(model, row_id)
    if row is None:
        raise LookupError(f"{model.__name__} {row_id} is named by a foreign key, yet gone")
    return row


class People:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def identity(self, channel: str, external_id: str) -> Identity | None:
        """The identity with its person, or None for someone who never consented."""
        return await self.session.scalar(
            select(Identity)
            .where(Identity.channel == channel, Identity.external_id == external_id)
            .options(selectinload(Identity.person))
        )

    async def create(
        self, channel: str, external_id: str, *, locale: str, consent_version: str, now: datetime
    ) -> Identity:
        person = Person(
            locale=locale,
            consent_at=now,
            consent_version=consent_version,
            created_at=now,
            last_active_at=now,
            interests=[],
            contributions=[],
        )
        identity = Identity(person=person, channel=channel, external_id=external_id, created_at=now)
        self.session.add_all([person, identity])
        await self.session.flush()
        return identity

    async def rows_of(self, model: Any, person: Person, column: str = "person_id") -> list[Any]:
        """Every row of `model` that refers to the person through `column` (their sign-ups, the
        calls they created...)."""
        return list(
            await self.session.scalars(select(model).where(getattr(model, column) == person.id).order_by(model.id))
        )

    async def identities_of(self, person: Person) -> list[Identity]:
        return list(await self.session.scalars(select(Identity).where(Identity.person_id == person.id)))

    async def erase(self, person: Person) -> None:
        """Delete the person; identities, offers, sign-ups, pushes and dialogue go with them (cascade);
        ideas and ratings stay without their name."""
        await self.session.execute(
            update(Idea).where(Idea.author_id == person.id).values(author_id=None, will_help=False, photo=None)
        )
        # A rating stays, anonymous; a remark in their own words does not.
        await self.session.execute(update(Feedback).where(Feedback.person_id == person.id).values(remark=None))
        await self.session.delete(person)
        await self.session.flush()


class Conversations:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, person: Person) -> Conversation | None:
        return await self.session.scalar(select(Conversation).where(Conversation.person_id == person.id))

    async def begin(
        self, person: Person, flow: str, step: str, answers: dict[str, Any], token: str, now: datetime
    ) -> Conversation:
        existing = await self.of(person)
        if existing is not None:
            await self.end(existing)
        conversation = Conversation(
            person_id=person.id,
            flow=flow,
            step=step,
            answers=answers,
            token=token,
            mode="ask",
            started_at=now,
            updated_at=now,
        )
        self.session.add(conversation)
        await self.session.flush()
        return conversation

    async def end(self, conversation: Conversation) -> None:
        await self.session.delete(conversation)
        await self.session.flush()


class Ideas:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, idea: Idea) -> Idea:
        self.session.add(idea)
        await self.session.flush()
        return idea

    async def by_author(self, person: Person) -> list[Idea]:
        return list(
            await self.session.scalars(
                select(Idea).where(Idea.author_id == person.id).order_by(Idea.created_at, Idea.id)
            )
        )

    async def in_state(self, state: str, limit: int) -> list[Idea]:
        """The oldest ideas in this state first (the moderation queue)."""
        return list(
            await self.session.scalars(
                select(Idea).where(Idea.state == state).order_by(Idea.created_at, Idea.id).limit(limit)
            )
        )

    async def most_backed(self, state: str, limit: int) -> list[Idea]:
        """The ideas in this state with the most supporters first (then followers, then the oldest)."""
        return list(
            await self.session.scalars(
                select(Idea)
                .where(Idea.state == state)
                .order_by(Idea.supporters.desc(), Idea.followers.desc(), Idea.id)
                .limit(limit)
            )
        )

    async def similar(self, idea: Idea, limit: int = 3) -> list[Idea]:
        """Other ideas that share words with this one, the closest first: PostgreSQL's Dutch
        text search, or SQLite's FTS5 (both kept by migration 0009)."""
        words = sorted(set(re.findall(r"[^\W_]{4,}", f"{idea.problem} {idea.idea}".lower())))[:30]
        if not words:
            return []
        if dialect_name(self.session) == "postgresql":
            dutch: ColumnClause[Any] = literal_column("'dutch'::regconfig")
            document = func.to_tsvector(dutch, Idea.problem.op("||")(literal_column("' '")).op("||")(Idea.idea))
            query = func.to_tsquery(dutch, " | ".join(words))
            return list(
                await self.session.scalars(
                    select(Idea)
                    .where(Idea.id != idea.id, document.op("@@")(query))
                    .order_by(func.ts_rank(document, query).desc(), Idea.id.desc())
                    .limit(limit)
                )
            )
        ids = list(
            (
                await self.session.execute(
                    text(
                        "SELECT rowid FROM idea_search WHERE idea_search MATCH :match AND rowid != :id "
                        "ORDER BY bm25(idea_search) LIMIT :limit"
                    ),
                    {"match": " OR ".join(f'"{word}"' for word in words), "id": idea.id, "limit": limit},
                )
            ).scalars()
        )
        found = {row.id: row for row in await self.session.scalars(select(Idea).where(Idea.id.in_(ids)))}
        return [found[row_id] for row_id in ids if row_id in found]

    async def count(self, *, state: str | None = None, since: datetime | None = None) -> int:
        query = select(func.count(Idea.id))
        if state is not None:
            query = query.where(Idea.state == state)
        if since is not None:
            query = query.where(Idea.created_at >= since)
        return await self.session.scalar(query) or 0


class Offers:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, offer: Offer) -> Offer:
        self.session.add(offer)
        await self.session.flush()
        return offer

    async def of(self, person: Person, *, open_only: bool = False) -> list[Offer]:
        query = select(Offer).where(Offer.person_id == person.id)
        if open_only:
            query = query.where(Offer.state == "open")
        return list(await self.session.scalars(query.order_by(Offer.created_at, Offer.id)))

    async def get_for(self, person: Person, offer_id: int) -> Offer | None:
        return await self.session.scalar(select(Offer).where(Offer.id == offer_id, Offer.person_id == person.id))


class Calls:
    """Calls for participation, who signed up for them, and what they thought of them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def listed(self, *, leave_out: Collection[str] = (), only: Collection[str] | None = None) -> list[Call]:
        """Every call (or those in the states `only`) but those in the states left out, the soonest first."""
        query = select(Call).where(Call.state.not_in(leave_out))
        if only is not None:
            query = query.where(Call.state.in_(only))
        return list(await self.session.scalars(query.order_by(Call.starts_at, Call.id)))

    async def open_for_sign_up(self, now: datetime) -> list[Call]:
        """Published calls that still take sign-ups, the soonest first."""
        return list(
            await self.session.scalars(
                select(Call).where(Call.state == "published", Call.deadline > now).order_by(Call.starts_at, Call.id)
            )
        )

    async def joined_by(
        self, person: Person, states: Collection[str], call_states: Collection[str], ending_after: datetime
    ) -> list[tuple[SignUp, Call]]:
        """The person's sign-ups in these states, for calls in these states not yet over."""
        rows = await self.session.execute(
            select(SignUp, Call)
            .join(Call, Call.id == SignUp.call_id)
            .where(
                SignUp.person_id == person.id,
                SignUp.state.in_(states),
                Call.state.in_(call_states),
                Call.ends_at > ending_after,
            )
            .order_by(Call.starts_at, Call.id)
        )
        return [(sign_up, call) for sign_up, call in rows]

    async def sign_ups_of(self, person: Person, states: Collection[str]) -> list[SignUp]:
        return list(
            await self.session.scalars(
                select(SignUp).where(SignUp.person_id == person.id, SignUp.state.in_(states)).order_by(SignUp.id)
            )
        )

    async def attendees(self, call: Call, states: Collection[str]) -> list[tuple[SignUp, Person]]:
        """Who signed up for the call in these states, by name."""
        rows = await self.session.execute(
            select(SignUp, Person)
            .join(Person, Person.id == SignUp.person_id)
            .where(SignUp.call_id == call.id, SignUp.state.in_(states))
            .order_by(Person.display_name, SignUp.id)
        )
        return [(sign_up, person) for sign_up, person in rows]

    async def feedback(self, call_id: int, person: Person) -> Feedback | None:
        return await self.session.scalar(
            select(Feedback).where(Feedback.call_id == call_id, Feedback.person_id == person.id)
        )


class Projects:
    """Ideas taken up by partner organisations, and the steps they took."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_organisations(self, organisation_ids: Collection[int]) -> list[Project]:
        return list(
            await self.session.scalars(
                select(Project).where(Project.organisation_id.in_(organisation_ids)).order_by(Project.id)
            )
        )

    async def participants(self, project: Project, states: Collection[str]) -> list[Person]:
        """Who signed up (in these states) for the project's calls, but for those who asked for quiet."""
        took_part = (
            select(SignUp.person_id)
            .join(Call, Call.id == SignUp.call_id)
            .where(Call.project_id == project.id, SignUp.state.in_(states))
        )
        muted = select(ProjectMute.person_id).where(ProjectMute.project_id == project.id)
        return list(
            await self.session.scalars(
                select(Person).where(Person.id.in_(took_part), Person.id.not_in(muted)).order_by(Person.id)
            )
        )

    async def mute(self, project: Project, person: Person, now: datetime) -> bool:
        """No more news about this project for this person; False when it was muted already."""
        if (
            await self.session.scalar(
                select(ProjectMute.id).where(ProjectMute.project_id == project.id, ProjectMute.person_id == person.id)
            )
            is not None
        ):
            return False
        self.session.add(ProjectMute(project_id=project.id, person_id=person.id, muted_at=now))
        await self.session.flush()
        return True

    async def feedback(self, project: Project) -> list[Feedback]:
        """What people who were at the project's calls thought of them (its test results), newest first."""
        return list(
            await self.session.scalars(
                select(Feedback)
                .join(Call, Call.id == Feedback.call_id)
                .where(Call.project_id == project.id)
                .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            )
        )

    async def updates(self, project: Project) -> list[ProjectUpdate]:
        return list(
            await self.session.scalars(
                select(ProjectUpdate).where(ProjectUpdate.project_id == project.id).order_by(ProjectUpdate.id)
            )
        )


class Relays:
    """Conversations between a resident and a partner organisation, through the bot."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def about(
        self, person_id: int, organisation_id: int, *, project: Project | None = None, offer: Offer | None = None
    ) -> Relay | None:
        """The conversation (or the question before it) with a resident about a project or an offer."""
        if project is not None:
            return await self.session.scalar(
                select(Relay).where(Relay.project_id == project.id, Relay.person_id == person_id)
            )
        assert offer is not None, "a relay is about a project or an offer"
        return await self.session.scalar(
            select(Relay).where(Relay.offer_id == offer.id, Relay.organisation_id == organisation_id)
        )

    async def open_with(self, person: Person) -> list[Relay]:
        """The open conversations (said yes to, not closed) in which the person is the resident or the partner."""
        return list(
            await self.session.scalars(
                select(Relay)
                .where(
                    or_(Relay.person_id == person.id, Relay.partner_id == person.id),
                    Relay.opened_at.is_not(None),
                    Relay.closed_at.is_(None),
                )
                .order_by(Relay.id)
            )
        )


class Sent:
    """Messages the outbox already sent, found again by their key or their platform id (a
    thread to answer in, a room card to redraw)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sent_id(self, key: str) -> str | None:
        """The platform id of the outbox message with this key, once it was sent."""
        return await self.session.scalar(select(OutboxMessage.message_id).where(OutboxMessage.key == key))

    async def sent_as(self, message_id: str, person: Person, purpose: str) -> OutboxMessage | None:
        """The outbox message sent to the person for this purpose that has this platform id."""
        return await self.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.message_id == message_id,
                OutboxMessage.purpose == purpose,
                OutboxMessage.person_id == person.id,
            )
        )


class Audit:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, kind: str, now: datetime, person: Person | None = None, **detail: Any) -> None:
        self.session.add(AuditEvent(kind=kind, at=now, person_id=person.id if person else None, detail=detail))

    async def of(self, person: Person) -> list[AuditEvent]:
        return list(
            await self.session.scalars(
                select(AuditEvent).where(AuditEvent.person_id == person.id).order_by(AuditEvent.id)
            )
        )


class Inbox:
    """Which inbound events were handled already: a redelivered event is answered once."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def seen(self, channel: str, key: str) -> bool:
        return (
            await self.session.scalar(
                select(ProcessedEvent.id).where(ProcessedEvent.channel == channel, ProcessedEvent.key == key)
            )
            is not None
        )

    async def mark(self, channel: str, key: str, now: datetime) -> None:
        self.session.add(ProcessedEvent(channel=channel, key=key, at=now))
        await self.session.flush()


class Roles:
    """Who may do what: coordinator and partner rights of chat identities, and organisations."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of(self, channel: str, external_id: str) -> set[str]:
        return {grant.role for grant in await self.grants_of(channel, external_id)}

    async def grants_of(self, channel: str, external_id: str) -> list[RoleGrant]:
        return list(
            await self.session.scalars(
                select(RoleGrant)
                .where(RoleGrant.channel == channel, RoleGrant.external_id == external_id)
                .order_by(RoleGrant.id)
            )
        )

    async def grant(
        self,
        channel: str,
        external_id: str,
        role: str,
        by: str,
        now: datetime,
        organisation: Organisation | None = None,
    ) -> bool:
        """Grant the role; False when the identity held it already."""
        organisation_id = organisation.id if organisation else None
        if await self._grants(channel, external_id, role, organisation_id):
            return False
        self.session.add(
            RoleGrant(
                channel=channel,
                external_id=external_id,
                role=role,
                granted_by=by,
                organisation_id=organisation_id,
                granted_at=now,
            )
        )
        await self.session.flush()
        return True

    async def revoke(self, channel: str, external_id: str, role: str, organisation: Organisation | None = None) -> bool:
        """Take the role away; False when the identity did not hold it."""
        grants = await self._grants(channel, external_id, role, organisation.id if organisation else None)
        for grant in grants:
            await self.session.delete(grant)
        await self.session.flush()
        return bool(grants)

    async def _grants(self, channel: str, external_id: str, role: str, organisation_id: int | None) -> list[RoleGrant]:
        query = select(RoleGrant).where(
            RoleGrant.channel == channel, RoleGrant.external_id == external_id, RoleGrant.role == role
        )
        query = query.where(
            RoleGrant.organisation_id.is_(None)
            if organisation_id is None
            else RoleGrant.organisation_id == organisation_id
        )
        return list(await self.session.scalars(query))

    async def holders(self, role: str) -> list[RoleGrant]:
        return list(await self.session.scalars(select(RoleGrant).where(RoleGrant.role == role).order_by(RoleGrant.id)))

    async def members(self, organisation: Organisation) -> list[RoleGrant]:
        return list(
            await self.session.scalars(
                select(RoleGrant).where(RoleGrant.organisation_id == organisation.id).order_by(RoleGrant.id)
            )
        )

    async def organisation(self, name: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.name == name))

    async def organisation_named(self, name: str) -> Organisation | None:
        """The organisation whatever the case of its name ("budascoop" finds "Budascoop")."""
        return await self.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))

    async def organisations_of(self, channel: str, external_id: str) -> list[Organisation]:
        """The organisations this identity is a partner of."""
        return list(
            await self.session.scalars(
                select(Organisation)
                .join(RoleGrant, RoleGrant.organisation_id == Organisation.id)
                .where(RoleGrant.channel == channel, RoleGrant.external_id == external_id)
                .order_by(Organisation.name)
            )
        )

    async def organisations(self) -> list[Organisation]:
        return list(await self.session.scalars(select(Organisation).order_by(Organisation.name)))

    async def add_organisation(self, name: str, now: datetime) -> Organisation:
        organisation = Organisation(name=name, created_at=now)
        self.session.add(organisation)
        await self.session.flush()
        return organisation
