//! Contests, rounds, entrants, entry links and documents (use-cases over [`super::RoundStore`]).
