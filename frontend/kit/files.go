package kit

// MiniPathPrefix serves a public photo as the small square a point of sale
// shows on its tiles (see catalog.Miniature).
const MiniPathPrefix = "/mini/"
