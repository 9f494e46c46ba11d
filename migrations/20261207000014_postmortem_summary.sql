-- What customers are told when a postmortem is published: posted as the final update of the
-- incident's public status page incident, when it has one.
ALTER TABLE postmortems ADD COLUMN customer_summary text NOT NULL DEFAULT '';
