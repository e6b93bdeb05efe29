"""Enterprise posts (评聘): appointing a worker to a post after the three reviews, withdrawing
it, and the enterprise's signed credential of it (:class:`Posts`, ``ledger.posts``)."""

from service.posts.appointments import Posts, post_subject

__all__ = ["Posts", "post_subject"]
