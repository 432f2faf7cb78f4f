import { IdMap } from "../data/id-map.js";

/**
 * What every trained model shares: the id maps of the users and items it was trained on (or
 * loaded with). Rows of every per-user and per-item table follow these maps.
 */
export abstract class IdMappedModel {
  protected userMap = new IdMap();
  protected itemMap = new IdMap();

  get nUsers(): number {
    return this.userMap.size;
  }
  get nItems(): number {
    return this.itemMap.size;
  }
  get users(): IdMap {
    return this.userMap;
  }
  get items(): IdMap {
    return this.itemMap;
  }
}
