//! How a reader of a big COPY answer spaces out its socket reads (see [`Pacer`]). Pure: it
//! only computes pauses; the reader (`copy_out`) sleeps them.

/// Spaces out the reads of a big COPY answer. The server sends 8 kB at a time, and a reader
/// that waits on the socket's readiness is woken for each piece: a context switch per 8 kB,
/// on a busy machine the main cost of reading. Instead the reader pauses after each read for
/// about the time the server takes to half fill the socket's buffer (a unix socket holds about
/// 200 kB): the pause grows when reads come back small and shrinks when they come back big, so
/// the reader never lets the buffer fill up and stall the server. The pace is the server's
/// on this connection and carries over from one answer to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pacer {
    pause_us: u32,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer { pause_us: 250 }
    }
}

impl Pacer {
    /// Reads shorter than this mean the pause was too short.
    const SMALL: usize = 64 << 10;
    /// Reads longer than this mean the buffer was getting full.
    const BIG: usize = 128 << 10;
    const MIN_US: u32 = 20;
    const MAX_US: u32 = 5_000;

    /// The pause before the next read, after one of `n` bytes that left `room` bytes of the
    /// read buffer free; none when it filled the buffer (more is surely waiting).
    pub fn after_read(&mut self, n: usize, room: usize) -> Option<std::time::Duration> {
        if room == 0 {
            return None;
        }
        if n < Self::SMALL {
            self.pause_us = (self.pause_us + self.pause_us / 4 + 10).min(Self::MAX_US);
        } else if n > Self::BIG {
            self.pause_us = (self.pause_us - self.pause_us / 4).max(Self::MIN_US);
        }
        Some(std::time::Duration::from_micros(u64::from(self.pause_us)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The COPY reader's read size.
    const READ_BLOCK: usize = 256 << 10;

    #[test]
    fn pacer_settles_on_half_full_reads_at_any_server_speed() {
        // A server sending `rate` bytes per microsecond into a socket holding 200 kB: each read
        // gets what arrived during the pause (never more than the socket holds).
        for rate in [20u64, 100, 250, 1000] {
            let mut pacer = Pacer::default();
            let mut got = Vec::new();
            let mut pause = std::time::Duration::from_micros(250);
            for _ in 0..200 {
                let n = (rate * pause.as_micros() as u64).min(200_000) as usize;
                got.push(n);
                pause = pacer
                    .after_read(n, READ_BLOCK - n)
                    .expect("room left: a pause");
            }
            for &n in &got[100..] {
                assert!(
                    (40_000..160_000).contains(&n),
                    "{rate} B/us: read {n} bytes after settling ({got:?})"
                );
            }
        }
    }

    #[test]
    fn pacer_never_pauses_when_the_buffer_filled_and_stays_in_bounds() {
        let mut pacer = Pacer::default();
        assert_eq!(pacer.after_read(READ_BLOCK, 0), None);
        for _ in 0..100 {
            pacer.after_read(1, READ_BLOCK);
        }
        assert_eq!(
            pacer.after_read(1, READ_BLOCK),
            Some(std::time::Duration::from_micros(u64::from(Pacer::MAX_US)))
        );
        for _ in 0..100 {
            pacer.after_read(250_000, 10);
        }
        assert_eq!(
            pacer.after_read(250_000, 10),
            Some(std::time::Duration::from_micros(u64::from(Pacer::MIN_US)))
        );
    }
}
