"""Who is asking: an owner id, and whether they may see every owner's jobs (the operator)."""

from __future__ import annotations

from dataclasses import dataclass

#: the owner of jobs in single-user local mode (no API token set) and from the CLI.
LOCAL_OWNER = "local"


@dataclass(frozen=True)
class Viewer:
    """A caller: ``owner`` stamps the jobs and uploads it makes; ``operator`` sees everyone's."""

    owner: str
    operator: bool = False

    def can_see(self, owner: str | None) -> bool:
        return self.operator or owner == self.owner


#: the caller when the studio runs for one person (no token configured): sees everything.
LOCAL_OPERATOR = Viewer(LOCAL_OWNER, operator=True)
