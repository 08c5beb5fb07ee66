//! Parallel gzip: the stream is cut into blocks compressed on several threads as independent
//! gzip members and written in order. Concatenated members are one valid gzip file that GNU
//! tar, gzip and zcat read; memory is bounded by the blocks in flight.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Bytes per gzip member. Half a MiB costs 0.01% of size against 1 MiB (a 408 MB dump: 142.57
/// vs 142.56 MB gzipped) and keeps the blocks in flight 2 MiB smaller.
const BLOCK: usize = 512 << 10;

type Job = (u64, Vec<u8>);
type Done = (u64, io::Result<Vec<u8>>);

/// A `Write` that gzips on `threads` threads into `out`.
pub struct ParallelGz<W: Write> {
    out: W,
    buf: Vec<u8>,
    jobs: Option<SyncSender<Job>>,
    done: Receiver<Done>,
    workers: Vec<JoinHandle<()>>,
    sent: u64,
    written: u64,
    pending: BTreeMap<u64, Vec<u8>>,
    max_in_flight: u64,
}

impl<W: Write> ParallelGz<W> {
    /// The underlying writer.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Compresses with `threads` workers (at least one) at gzip `level`.
    pub fn new(out: W, threads: usize, level: u32) -> Self {
        let threads = threads.max(1);
        let (job_tx, job_rx) = sync_channel::<Job>(threads * 2);
        let (done_tx, done_rx) = channel::<Done>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let workers = (0..threads)
            .map(|_| {
                let job_rx = Arc::clone(&job_rx);
                let done_tx: Sender<Done> = done_tx.clone();
                std::thread::spawn(move || loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, data)) = job else { return };
                    let mut enc =
                        GzEncoder::new(Vec::with_capacity(data.len() / 2), Compression::new(level));
                    let res = enc.write_all(&data).and_then(|_| enc.finish());
                    if done_tx.send((seq, res)).is_err() {
                        return;
                    }
                })
            })
            .collect();
        ParallelGz {
            out,
            buf: Vec::with_capacity(BLOCK),
            jobs: Some(job_tx),
            done: done_rx,
            workers,
            sent: 0,
            written: 0,
            pending: BTreeMap::new(),
            // Enough to keep every thread busy while the writer waits on the oldest block.
            max_in_flight: (threads * 2 + 1) as u64,
        }
    }

    fn send_block(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let data = std::mem::replace(&mut self.buf, Vec::with_capacity(BLOCK));
        let jobs = self
            .jobs
            .as_ref()
            .ok_or_else(|| io::Error::other("compressor closed"))?;
        jobs.send((self.sent, data))
            .map_err(|_| io::Error::other("compressor thread stopped"))?;
        self.sent += 1;
        // Keep memory bounded: wait while too many blocks are in flight.
        while self.sent - self.written > self.max_in_flight {
            self.collect(true)?;
        }
        self.collect(false)
    }

    fn collect(&mut self, block: bool) -> io::Result<()> {
        loop {
            let next = if block {
                match self.done.recv() {
                    Ok(d) => Some(d),
                    Err(_) => return Err(io::Error::other("compressor thread stopped")),
                }
            } else {
                self.done.try_recv().ok()
            };
            let Some((seq, res)) = next else { break };
            self.pending.insert(seq, res?);
            while let Some(data) = self.pending.remove(&self.written) {
                self.out.write_all(&data)?;
                self.written += 1;
            }
            if block {
                break;
            }
        }
        Ok(())
    }

    /// Flushes the last block, waits for every member and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.send_block()?;
        self.jobs = None;
        while self.written < self.sent {
            self.collect(true)?;
        }
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        if self.sent == 0 {
            // An empty stream is still one (empty) gzip member.
            let enc = GzEncoder::new(Vec::new(), Compression::default());
            self.out.write_all(&enc.finish()?)?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for ParallelGz<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = BLOCK - self.buf.len();
        let n = data.len().min(room);
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() >= BLOCK {
            self.send_block()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::MultiGzDecoder;
    use std::io::Read;

    #[test]
    fn members_decode_to_the_input_in_order() {
        let input: Vec<u8> = (0..5_000_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        let mut gz = ParallelGz::new(Vec::new(), 3, 1);
        for chunk in input.chunks(77_777) {
            gz.write_all(chunk).unwrap();
        }
        let out = gz.finish().unwrap();
        let mut back = Vec::new();
        MultiGzDecoder::new(&out[..])
            .read_to_end(&mut back)
            .unwrap();
        assert!(back == input);
    }

    #[test]
    fn empty_stream_is_valid_gzip() {
        let out = ParallelGz::new(Vec::new(), 2, 6).finish().unwrap();
        let mut back = Vec::new();
        MultiGzDecoder::new(&out[..])
            .read_to_end(&mut back)
            .unwrap();
        assert!(back.is_empty());
    }
}
