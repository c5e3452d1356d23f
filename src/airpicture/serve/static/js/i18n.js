// French and English. French first: the Niger configuration defaults to it.
export const MESSAGES = {
  fr: {
    tracks: 'Pistes', shown: 'affichées', alerts: 'Alertes', link_down: 'hors ligne', link_up: 'en ligne',
    link_title: 'Liaison avec le serveur de situation', vectors: 'Vecteurs', off: 'non', labels: 'Étiquettes',
    history: 'Historique', reset_view: 'Vue FIR', class_coop: 'coopératif', class_primary: 'primaire seul',
    class_emergency: 'urgence', class_alert: 'en alerte', filters: 'Filtres', levels: 'Niveaux',
    unknown_alt: 'alt. inconnue', search_ph: 'indicatif, adresse, code transpondeur', alert_list: 'Alertes actives',
    no_alerts: 'Aucune alerte active', details: 'Détails de la piste',
    select_hint: 'Cliquez sur un aéronef pour voir ses détails.', ack_title: "Acquitter l'alerte",
    operator: 'Opérateur', token: 'Jeton opérateur', cancel: 'Annuler', acknowledge: 'Acquitter',
    acknowledged_by: 'acquittée par', ack_disabled: 'acquittement désactivé : aucun jeton opérateur configuré',
    ack_enabled: 'acquittement par jeton', ack_failed: 'Refusé :', picture_age: 'situation de',
    identity: 'Identité', callsign: 'Indicatif', icao24: 'Adresse Mode S', squawk: 'Code transpondeur',
    flight_plan: 'Plan de vol', position: 'Position', level: 'Niveau', ground_speed: 'Vitesse sol',
    track: 'Route', vertical_rate: 'Taux vertical', status: 'État', quality: 'Qualité', sigma: 'Précision (1σ)',
    age: 'Âge de la piste', sources: 'Capteurs', last_update: 'dernière mise à jour', track_id: 'Piste n°',
    cooperative: 'Coopératif', yes: 'oui', no: 'non', unknown: 'inconnu', gone: 'Piste perdue',
    status_tentative: 'tentative', status_confirmed: 'confirmée', status_coasting: 'extrapolée',
    ago: 'il y a', s: 's',
    kind_airspace_infringement: 'Violation d’espace', kind_emergency: 'Urgence', kind_stca: 'STCA (conflit)',
    kind_non_cooperative: 'Non coopératif', kind_transponder_loss: 'Perte transpondeur',
    kind_fpl_deviation: 'Écart plan de vol', kind_spoofing: 'Usurpation ADS-B', kind_gnss_interference: 'Brouillage GNSS',
    state_raised: 'nouvelle', state_updated: 'en cours', state_acknowledged: 'acquittée', state_cleared: 'levée',
    tl_live: 'DIRECT', tl_replay: 'RELECTURE', back_live: 'RETOUR AU DIRECT', tl_play: 'Lecture', tl_pause: 'Pause',
    replay_banner: 'RELECTURE — SITUATION PASSÉE', replay_empty: 'aucune piste enregistrée à cet instant',
    tl_recorded: 'enregistré :', tl_behind: 'de retard sur le direct', tl_at_end: 'fin de l’enregistrement',
    tl_empty: 'enregistrement vide', tl_back_60: 'Reculer d’une minute', tl_slider: 'Faire glisser pour revoir le passé',
    alerts_live_note: '(en direct, pas la relecture)',
  },
  en: {
    tracks: 'Tracks', shown: 'shown', alerts: 'Alerts', link_down: 'offline', link_up: 'online',
    link_title: 'Link to the picture server', vectors: 'Vectors', off: 'off', labels: 'Labels',
    history: 'History', reset_view: 'FIR view', class_coop: 'cooperative', class_primary: 'primary only',
    class_emergency: 'emergency', class_alert: 'in alert', filters: 'Filters', levels: 'Levels',
    unknown_alt: 'unknown alt.', search_ph: 'callsign, address, squawk', alert_list: 'Active alerts',
    no_alerts: 'No active alert', details: 'Track details',
    select_hint: 'Click an aircraft to see its details.', ack_title: 'Acknowledge alert',
    operator: 'Operator', token: 'Operator token', cancel: 'Cancel', acknowledge: 'Acknowledge',
    acknowledged_by: 'acknowledged by', ack_disabled: 'acknowledge disabled: no operator token configured',
    ack_enabled: 'acknowledge with token', ack_failed: 'Refused:', picture_age: 'picture at',
    identity: 'Identity', callsign: 'Callsign', icao24: 'Mode S address', squawk: 'Squawk',
    flight_plan: 'Flight plan', position: 'Position', level: 'Level', ground_speed: 'Ground speed',
    track: 'Track', vertical_rate: 'Vertical rate', status: 'Status', quality: 'Quality', sigma: 'Accuracy (1σ)',
    age: 'Track age', sources: 'Sensors', last_update: 'last update', track_id: 'Track no.',
    cooperative: 'Cooperative', yes: 'yes', no: 'no', unknown: 'unknown', gone: 'Track lost',
    status_tentative: 'tentative', status_confirmed: 'confirmed', status_coasting: 'coasting',
    ago: '', s: 's ago',
    kind_airspace_infringement: 'Airspace infringement', kind_emergency: 'Emergency', kind_stca: 'STCA (conflict)',
    kind_non_cooperative: 'Non-cooperative', kind_transponder_loss: 'Transponder loss',
    kind_fpl_deviation: 'Flight-plan deviation', kind_spoofing: 'ADS-B spoofing', kind_gnss_interference: 'GNSS interference',
    state_raised: 'new', state_updated: 'ongoing', state_acknowledged: 'acknowledged', state_cleared: 'cleared',
    tl_live: 'LIVE', tl_replay: 'REPLAY', back_live: 'BACK TO LIVE', tl_play: 'Play', tl_pause: 'Pause',
    replay_banner: 'REPLAY — PAST PICTURE', replay_empty: 'no track recorded at this instant',
    tl_recorded: 'recorded:', tl_behind: 'behind live', tl_at_end: 'end of the recording',
    tl_empty: 'recording empty', tl_back_60: 'One minute back', tl_slider: 'Drag to review the past',
    alerts_live_note: '(live, not the replay)',
  },
};

let current = 'fr';

export function language() { return current; }

export function t(key) {
  return (MESSAGES[current] && MESSAGES[current][key]) ?? MESSAGES.en[key] ?? key;
}

export function setLanguage(lang) {
  current = MESSAGES[lang] ? lang : 'fr';
  document.documentElement.lang = current;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const b of document.querySelectorAll('.lang button')) b.classList.toggle('on', b.dataset.lang === current);
}
