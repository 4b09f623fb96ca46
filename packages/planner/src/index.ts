// The planner (profit switching and placement) is issue #6; the package exists so the
// workspace layout is the one DESIGN.md describes.
export {};
