//! A large response body that holds a permit until its last byte is handed to the connection.
//!
//! Under many connections the memory of a large answer is the page being built plus the body
//! waiting to be sent. Taking a permit before building and keeping it in the body bounds how
//! many of them exist at once; the rest of the requests wait, costing a few bytes each. The
//! body is handed over in slices, so the connection asks for the next one only once it has
//! written the last, and its write buffer stays small.
//!
//! A client that reads slowly must not keep a permit for long (a few of them would stop every
//! list): after [`MAX_HOLD`] the permit is given back whether or not the body is sent.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use tokio::sync::OwnedSemaphorePermit;

/// Bytes handed to the connection per poll.
const SLICE: usize = 64 * 1024;

/// The longest a body keeps its permit.
pub const MAX_HOLD: Duration = Duration::from_secs(5);

/// A permit given back by whichever comes first: the body's end or the timer.
type Slot = Arc<Mutex<Option<OwnedSemaphorePermit>>>;

fn release(slot: &Slot) {
    if let Ok(mut permit) = slot.lock() {
        permit.take();
    }
}

/// A body that releases its permit when its last slice is taken (or when it is dropped, for
/// a client that went away).
pub struct BoundedBody {
    rest: Bytes,
    size: u64,
    permit: Slot,
}

impl BoundedBody {
    /// Must be called on the actix runtime (it starts the [`MAX_HOLD`] timer).
    pub fn new(body: impl Into<Bytes>, permit: OwnedSemaphorePermit) -> Self {
        Self::with_hold(body, permit, MAX_HOLD)
    }

    fn with_hold(body: impl Into<Bytes>, permit: OwnedSemaphorePermit, hold: Duration) -> Self {
        let rest = body.into();
        let slot: Slot = Arc::new(Mutex::new(Some(permit)));
        let timer = Arc::downgrade(&slot);
        actix_web::rt::spawn(async move {
            actix_web::rt::time::sleep(hold).await;
            if let Some(slot) = timer.upgrade() {
                release(&slot);
            }
        });
        Self {
            size: rest.len() as u64,
            rest,
            permit: slot,
        }
    }
}

impl Drop for BoundedBody {
    fn drop(&mut self) {
        release(&self.permit);
    }
}

impl MessageBody for BoundedBody {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.size)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.rest.is_empty() {
            release(&this.permit);
            return Poll::Ready(None);
        }
        let n = this.rest.len().min(SLICE);
        Poll::Ready(Some(Ok(this.rest.split_to(n))))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use actix_web::body::to_bytes;
    use tokio::sync::Semaphore;

    use super::*;

    #[actix_web::test]
    async fn sends_every_byte_and_releases_the_permit_after_the_last_slice() {
        let permits = Arc::new(Semaphore::new(1));
        let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let permit = permits.clone().try_acquire_owned().unwrap();
        let bounded = BoundedBody::new(body.clone(), permit);
        assert_eq!(bounded.size(), BodySize::Sized(200_000));
        assert_eq!(permits.available_permits(), 0);
        let sent = to_bytes(bounded).await.unwrap();
        assert_eq!(sent.as_ref(), body.as_slice());
        assert_eq!(permits.available_permits(), 1);
    }

    #[actix_web::test]
    async fn a_body_not_taken_in_time_gives_its_permit_back() {
        let permits = Arc::new(Semaphore::new(1));
        let permit = permits.clone().try_acquire_owned().unwrap();
        let slow = BoundedBody::with_hold(vec![1; 10], permit, Duration::from_millis(50));
        assert_eq!(permits.available_permits(), 0);
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(permits.available_permits(), 1);
        // The body itself is still whole.
        assert_eq!(to_bytes(slow).await.unwrap().len(), 10);
    }

    #[actix_web::test]
    async fn a_dropped_body_releases_its_permit() {
        let permits = Arc::new(Semaphore::new(1));
        let bounded = BoundedBody::new(vec![1; 10], permits.clone().try_acquire_owned().unwrap());
        assert_eq!(permits.available_permits(), 0);
        drop(bounded);
        assert_eq!(permits.available_permits(), 1);
    }
}
