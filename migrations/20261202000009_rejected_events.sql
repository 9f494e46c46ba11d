-- Events an integration key sent that were refused (a malformed or invalid alert, or one alert of
-- a batch whose others were stored), so whoever owns the service sees what their monitoring tool
-- gets wrong without reading server logs. Only the newest per service are kept.
CREATE TABLE rejected_events (
    id uuid PRIMARY KEY,
    service_id uuid NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    key_id uuid NOT NULL REFERENCES integration_keys(id) ON DELETE CASCADE,
    received_at timestamptz NOT NULL,
    reason text NOT NULL
);
CREATE INDEX rejected_events_by_service ON rejected_events (service_id, received_at DESC, id DESC);
