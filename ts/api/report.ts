/** longtail/report: the HTML report of the demo, and the persona walls it shows. */
export { renderReport, REPORT_SECTIONS } from "../report/report-document.js";
export type { DemoReport } from "../report/report-data.js";
export { buildWall, describePicks, wallStatistics, type Wall, type WallPick, type WallStatistics } from "../eval/wall.js";
export { PERSONAS, PERSONA_NAMES, type Persona, type PersonaName } from "../eval/personas.js";
